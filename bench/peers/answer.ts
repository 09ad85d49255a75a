// The one answer every scenario's server gives (the demo catalogue's flower "1", as
// bench/constant-store.ts answers it), and the check every client applies to every answer.

/** GetFlowerResponse.flower as plain data (Moleculer and Nest send it as it is). */
export const ROSE = { id: "1", name: "Rose", price: { amount: 5000, currency: "KRW" }, stock: 100 };

/** A flower as any of the clients decodes it: amount is a bigint (protobuf-es), a string (proto-loader, longs: String) or a number (JSON). */
export interface FlowerLike {
  id?: string;
  name?: string;
  price?: { amount?: bigint | string | number; currency?: string };
  stock?: number;
}

/** True when the answer is exactly ROSE, whatever the codec made of the int64 amount. */
export function isRose(flower: FlowerLike | undefined): boolean {
  return flower?.id === ROSE.id && flower.name === ROSE.name && flower.stock === ROSE.stock &&
    flower.price?.currency === ROSE.price.currency && Number(flower.price.amount) === ROSE.price.amount;
}
