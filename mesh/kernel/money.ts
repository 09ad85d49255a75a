/** An amount in the smallest unit of its currency (won, cents), never a float: the contract's common.v1.Money. */
export interface Money {
  amount: bigint;
  currency: string;
}

/** `money` times a whole number: a unit price times a quantity. */
export function times(money: Money, n: number): Money {
  return { amount: money.amount * BigInt(n), currency: money.currency };
}

/** An amount as a customer reads it: "36,000 KRW", "12.50 USD". */
export function formatMoney(money: Money): string {
  const digits = fractionDigits(money.currency);
  const sign = money.amount < 0n ? "-" : "";
  const abs = money.amount < 0n ? -money.amount : money.amount;
  const unit = 10n ** BigInt(digits);
  const whole = (abs / unit).toLocaleString("en");
  const fraction = digits > 0 ? "." + (abs % unit).toString().padStart(digits, "0") : "";
  return `${sign}${whole}${fraction} ${money.currency}`;
}

// KRW and JPY have no minor unit, USD and EUR have cents; Intl knows every ISO 4217 code.
function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 0; // an unknown code: show the raw amount
  }
}
