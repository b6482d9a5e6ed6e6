import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { DEFAULTS, VERSION, clampInt, readConfig } from "../../web/widget/config.js";

const baseUrl = "https://chat.clinic.example/widget/";

test("defaults, with the Rasa server at the widget's own origin", () => {
  const config = readConfig({ baseUrl });
  assert.equal(config.serverUrl, "https://chat.clinic.example");
  assert.equal(config.startPayload, "/greet");
  assert.equal(config.maxLength, 1000);
  assert.equal(config.historyLimit, 100);
  assert.equal(config.position, "right");
});

test("data-* attributes win over window.SMPChatConfig", () => {
  const config = readConfig({
    baseUrl,
    fromObject: { serverUrl: "https://object.example", clinicName: "From object", position: "left" },
    fromTag: { serverUrl: "https://tag.example", maxLength: "250" },
  });
  assert.equal(config.serverUrl, "https://tag.example");
  assert.equal(config.clinicName, "From object");
  assert.equal(config.position, "left");
  assert.equal(config.maxLength, 250);
});

test("an empty start payload turns the welcome off; unknown keys are ignored", () => {
  const config = readConfig({ baseUrl, fromTag: { startPayload: "", evil: "<script>" } });
  assert.equal(config.startPayload, "");
  assert.equal("evil" in config, false);
});

test("numbers are clamped and nonsense falls back to the defaults", () => {
  const config = readConfig({
    baseUrl,
    fromTag: { maxLength: "999999", historyLimit: "lots", position: "middle" },
  });
  assert.equal(config.maxLength, 10000);
  assert.equal(config.historyLimit, DEFAULTS.historyLimit);
  assert.equal(config.position, "right");
  assert.equal(clampInt(0.4, 1, 5, 3), 1);
  assert.equal(clampInt(Number.NaN, 1, 5, 3), 3);
});

test("the loader announces the same version as the modules", () => {
  const loader = readFileSync(new URL("../../web/widget/smp-chat.js", import.meta.url), "utf8");
  assert.match(loader, new RegExp(`const VERSION = "${VERSION.replaceAll(".", "\\.")}"`));
});
