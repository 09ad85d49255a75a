import type { Money } from "../../mesh/kernel/index.js";

// The coffee shop's menu: what order prices and what the warehouse stocks (each item starts with
// 100 units, the seed's warehouse size). Plain data shared by the system's contexts.

const won = (amount: number): Money => ({ amount: BigInt(amount), currency: "KRW" });

/** Menu item → price of one cup. */
export const menu: ReadonlyMap<string, Money> = new Map([
  ["Americano", won(4000)],
  ["Latte", won(4500)],
  ["Cappuccino", won(4500)],
  ["Espresso", won(3500)],
  ["Mocha", won(5000)],
  ["Tea", won(3000)],
]);

/** How a menu item may be named in a request (a name not on the menu is the domain's to refuse). */
export const isMenuItemName = (name: string): boolean => /^[\p{L}\p{N} _-]{1,64}$/u.test(name);

/** Units of every menu item in a fresh warehouse. */
export const INITIAL_STOCK = 100;
