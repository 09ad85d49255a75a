/** An amount of money as a customer reads it: "36,000 KRW", "12.50 USD" (amounts are in the smallest unit). */
export function formatMoney(money: { amount: bigint; currency: string }): string {
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
