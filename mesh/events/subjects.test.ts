import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../config/env.js";
import {
  deadLetterStreamName,
  deadLetterSubject,
  durableName,
  eventNamespace,
  namespacedSubject,
  streamName,
  streamSubjects,
  subjectWithoutNamespace,
  systemOf,
} from "./subjects.js";

test("without a namespace, subjects and streams are the system's own", () => {
  assert.equal(eventNamespace({}), "");
  assert.equal(namespacedSubject("", "flower.order.OrderPlaced"), "flower.order.OrderPlaced");
  assert.equal(streamName("", "flower"), "FLOWER");
  assert.equal(streamSubjects("", "flower"), "flower.>");
  assert.equal(deadLetterStreamName(""), "DEADLETTER");
  assert.equal(deadLetterSubject("", "flower-store-x"), "deadletter.flower-store-x");
});

test("a namespace prefixes subjects and streams so test runs never meet", () => {
  const ns = eventNamespace({ EVENT_NAMESPACE: "ci42" });
  assert.equal(namespacedSubject(ns, "flower.order.OrderPlaced"), "ci42.flower.order.OrderPlaced");
  assert.equal(subjectWithoutNamespace(ns, "ci42.flower.order.OrderPlaced"), "flower.order.OrderPlaced");
  assert.equal(streamName(ns, "flower"), "CI42_FLOWER");
  assert.equal(streamSubjects(ns, "payment"), "ci42.payment.>");
  assert.equal(deadLetterStreamName(ns), "CI42_DEADLETTER");
  assert.equal(deadLetterSubject(ns, "c"), "ci42.deadletter.c");
});

test("the stream is the subject's first token: payment's events for flower go to PAYMENT", () => {
  assert.equal(systemOf("payment.flower.PaymentApproved"), "payment");
  assert.equal(systemOf("flower.order.OrderPlaced"), "flower");
  assert.throws(() => systemOf("flower.OrderPlaced"), /not <system>.<context>.<Event>/);
  assert.throws(() => systemOf("flower.*.OrderPlaced"), /not <system>/);
});

test("a namespace that cannot be a subject token is a ConfigError naming EVENT_NAMESPACE", () => {
  assert.throws(() => eventNamespace({ EVENT_NAMESPACE: "a.b" }), (e: Error) => e instanceof ConfigError && /EVENT_NAMESPACE/.test(e.message));
});

test("durable names keep only characters JetStream accepts", () => {
  assert.equal(durableName("flower-store", "acceptOrderWhenOrderPlaced"), "flower-store-acceptOrderWhenOrderPlaced");
  assert.equal(durableName("svc", "a.b c*>/x"), "svc-a_b_c___x");
});
