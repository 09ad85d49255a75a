import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, toMessage, type Repository } from "../../../mesh/index.js";
import { PayKindRegStatus, PaymethodSchema, type PaymethodService } from "../../../gen/cleaning/v1/paymethod_pb.js";
import { checkId, idChecks } from "../checks.js";
import { cardDigits, changeKind, deletePaymethod, masked, type Paymethod, type PaymethodEvent } from "./domain.js";
import type { createRegisterPaymethod } from "./register-paymethod.js";

// PaymethodService handlers (inbound adapter): each is its field rules, then one call. No handler
// echoes the card number, not even in an error.

const KIND = /^[a-z][a-z0-9_-]{0,31}$/;
const KIND_RULE = "must be a payment kind such as credit or debit (lower-case letters, digits, - or _; at most 32)";
/** The only shape of a payment method that leaves this service: the number masked. */
const message = (p: Paymethod) => toMessage(PaymethodSchema, { ...p, number: masked(p.last4), payKindRegStatus: p.status });

/** Creates the paymethod context's RPC handlers. */
export function createPaymethodApi(paymethods: Repository<Paymethod, PaymethodEvent>, register: ReturnType<typeof createRegisterPaymethod>): ServiceImpl<typeof PaymethodService> {
  return {
    async registerPaymethod(req) {
      const digits = cardDigits(req.number);
      const checks = fieldChecks()
        .check(KIND.test(req.kind), "kind", KIND_RULE)
        .check(digits !== undefined, "number", "must be a card number of 8 to 19 digits (spaces and dashes allowed)")
        .check([PayKindRegStatus.UNSPECIFIED, PayKindRegStatus.PAYMENT_KIND_REGISTERED].includes(req.payKindRegStatus), "payKindRegStatus",
          "is set by the server: only PaymentKindRegistered (or nothing) may be sent");
      checkId(checks, "requestId", req.requestId).throwIfInvalid();
      return { paymethod: message(await register({ requestId: req.requestId, kind: req.kind, digits: digits! })) };
    },

    async getPaymethod(req) {
      idChecks("id", req.id).throwIfInvalid();
      return { paymethod: message(await paymethods.get(req.id)) };
    },

    async listPaymethods(req) {
      fieldChecks().maxLength("requestId", req.requestId, 64).throwIfInvalid();
      const { items, nextPageToken } = await paymethods.page({ by: "createdAt", where: { requestId: req.requestId || undefined }, pageSize: req.pageSize, pageToken: req.pageToken });
      return { paymethods: items.map(message), nextPageToken };
    },

    async changePaymethodKind(req) {
      idChecks("id", req.id).check(KIND.test(req.kind), "kind", KIND_RULE).throwIfInvalid();
      return { paymethod: message(await paymethods.change(req.id, (p) => changeKind(p, req.kind, new Date()))) };
    },

    async deletePaymethod(req) {
      idChecks("id", req.id).throwIfInvalid();
      return { paymethod: message(await paymethods.change(req.id, (p) => deletePaymethod(p, new Date()))) };
    },
  };
}
