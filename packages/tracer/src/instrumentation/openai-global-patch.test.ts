import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { acquireOpenAIPatch } from "./openai-global-patch.js";

const prototype = OpenAI.Chat.Completions.prototype;
const original = prototype.create;
const none = () => undefined;

afterEach(() => {
  expect(prototype.create).toBe(original);
});

describe("acquireOpenAIPatch", () => {
  it("patches the SDK's Completions prototype once and restores it when the last hold is released", () => {
    const releaseA = acquireOpenAIPatch(OpenAI, none);
    const patched = prototype.create;
    expect(patched).not.toBe(original);
    const releaseB = acquireOpenAIPatch({ default: OpenAI }, none);
    expect(prototype.create).toBe(patched);
    releaseA?.();
    releaseA?.(); // a second release of the same hold changes nothing
    expect(prototype.create).toBe(patched);
    releaseB?.();
  });

  it("accepts the Completions class itself and refuses what is not the SDK", () => {
    const release = acquireOpenAIPatch(OpenAI.Chat.Completions, none);
    expect(prototype.create).not.toBe(original);
    release?.();
    expect(acquireOpenAIPatch({}, none)).toBeUndefined();
    expect(acquireOpenAIPatch(null, none)).toBeUndefined();
  });
});
