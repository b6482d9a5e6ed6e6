import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { installDom, uninstallDom } from "./support.mjs";

let window;
let render;

before(async () => {
  window = installDom();
  render = await import("../../web/widget/render.js");
});
after(() => uninstallDom(window));

/** The rendered text as an element, for querying. */
function rendered(text) {
  const box = document.createElement("div");
  box.append(render.renderRichText(text));
  return box;
}

const links = (box) => [...box.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href")]);

describe("renderRichText", () => {
  test("markup in the text stays text", () => {
    const box = rendered('<img src=x onerror=alert(1)><script>alert("x")</script>');
    assert.equal(box.querySelectorAll("img, script").length, 0);
    assert.equal(box.textContent, '<img src=x onerror=alert(1)><script>alert("x")</script>');
  });

  test("bold, italic, paragraphs and line breaks", () => {
    const box = rendered("**Bold** and *soft*\nnext line\n\nnew paragraph");
    assert.equal(box.querySelector("strong").textContent, "Bold");
    assert.equal(box.querySelector("em").textContent, "soft");
    const paragraphs = box.querySelectorAll("p");
    assert.equal(paragraphs.length, 2);
    assert.equal(paragraphs[0].querySelectorAll("br").length, 1);
    assert.equal(paragraphs[1].textContent, "new paragraph");
  });

  test("bullet and numbered lists, a numbered list keeps its first number", () => {
    const box = rendered("- one\n- two\n3. three\n4. four");
    assert.deepEqual([...box.querySelectorAll("ul > li")].map((li) => li.textContent), ["one", "two"]);
    const ol = box.querySelector("ol");
    assert.equal(ol.getAttribute("start"), "3");
    assert.equal(ol.querySelectorAll("li").length, 2);
  });

  test("links open in a new tab, a trailing full stop is not part of a bare link", () => {
    const box = rendered("See https://clinic.example/aftercare. Or [the guide](https://clinic.example/guide)");
    assert.deepEqual(links(box), [
      ["https://clinic.example/aftercare", "https://clinic.example/aftercare"],
      ["the guide", "https://clinic.example/guide"],
    ]);
    for (const a of box.querySelectorAll("a")) {
      assert.equal(a.getAttribute("target"), "_blank");
      assert.equal(a.getAttribute("rel"), "noopener noreferrer");
    }
    assert.ok(box.textContent.endsWith("aftercare. Or the guide"));
  });

  test("e-mail addresses become mailto links", () => {
    assert.deepEqual(links(rendered("Write to hello@clinic.example.")), [
      ["hello@clinic.example", "mailto:hello@clinic.example"],
    ]);
  });

  test("javascript: and data: links keep their words and lose their link", () => {
    const box = rendered("[Do not click](javascript:alert(1)) [nor this](data:text/html,hi)");
    assert.equal(box.querySelectorAll("a").length, 0);
    assert.match(box.textContent, /Do not click/);
    assert.match(box.textContent, /nor this/);
  });
});

describe("phone numbers", () => {
  const cases = [
    ["Call us on +44 1244 555 010.", "+44 1244 555 010", "tel:+441244555010"],
    ["Call +44 (0)1244 555010 today", "+44 (0)1244 555010", "tel:+441244555010"],
    ["Ring 01244 555 010, any day", "01244 555 010", "tel:01244555010"],
    ["Ring (020) 7946 0958", "(020) 7946 0958", "tel:02079460958"],
    ["US: (555) 123-4567", "(555) 123-4567", "tel:5551234567"],
    ["Or 0800-123-4567!", "0800-123-4567", "tel:08001234567"],
  ];
  for (const [text, label, href] of cases) {
    test(`"${label}" becomes a tel: link`, () => {
      const box = rendered(text);
      assert.deepEqual(links(box), [[label, href]]);
      const anchor = box.querySelector("a");
      assert.equal(anchor.getAttribute("target"), null); // Opens the dialler, not a tab.
      assert.equal(box.textContent, text);
    });
  }

  const notPhones = [
    "Booking reference BK-20240512-0042",
    "Sessions on 2024-05-12 and 12/05/2024",
    "Prices from £1,200 to £2,500 in 2023 2024",
    "Version 1.2.3 of 192.168.10.1",
    "https://clinic.example/book/01244555010",
    "Order 12345678 is ready",
    "+44 12",
  ];
  for (const text of notPhones) {
    test(`"${text}" has no tel: link`, () => {
      const box = rendered(text);
      assert.equal(box.querySelectorAll('a[href^="tel:"]').length, 0);
      assert.equal(box.textContent, text);
    });
  }

  test("a markdown tel: link gets digits only", () => {
    assert.deepEqual(links(rendered("[Call the clinic](tel:+44-1244-555-010)")), [
      ["Call the clinic", "tel:+441244555010"],
    ]);
  });

  test("a number in bold is still a link, one inside a link label is not", () => {
    assert.deepEqual(links(rendered("**Call 01244 555 010**")), [["01244 555 010", "tel:01244555010"]]);
    assert.deepEqual(links(rendered("[01244 555 010](https://clinic.example/contact)")), [
      ["01244 555 010", "https://clinic.example/contact"],
    ]);
  });

  test("phoneHref only returns digits and a leading plus", () => {
    assert.equal(render.phoneHref("+1 (555) 123-4567"), "tel:+15551234567");
    assert.equal(render.phoneHref("01-02-2024"), null);
    assert.equal(render.phoneHref("0123 4567 8901 2345 6"), null); // Over 15 digits.
  });
});

describe("message nodes", () => {
  test("a visitor's message is labelled for screen readers and rendered as text", () => {
    const node = render.messageNode({ id: "m1", role: "user", text: "<b>hi</b>" }, null);
    assert.ok(node.classList.contains("smp-msg--user"));
    assert.equal(node.dataset.id, "m1");
    assert.equal(node.querySelector(".smp-sr").textContent, "You said:");
    assert.equal(node.querySelector(".smp-bubble").textContent, "<b>hi</b>");
    assert.equal(node.querySelectorAll("b").length, 0);
  });

  test("a message after one from the same side is marked as continued", () => {
    const previous = { id: "a", role: "bot", text: "one" };
    const node = render.messageNode({ id: "b", role: "bot", text: "two" }, previous);
    assert.ok(node.classList.contains("smp-msg--cont"));
  });

  test("only http(s) images are shown", () => {
    const good = render.messageNode({ id: "i", role: "bot", image: "https://clinic.example/a.png" });
    assert.equal(good.querySelector("img").getAttribute("src"), "https://clinic.example/a.png");
    assert.equal(good.querySelector("img").getAttribute("alt"), "Image from the assistant");
    const bad = render.messageNode({ id: "j", role: "bot", text: "x", image: "javascript:alert(1)" });
    assert.equal(bad.querySelector("img"), null);
  });

  test("a waiting message says so, and stops saying so once sent", () => {
    const node = render.messageNode({ id: "w", role: "user", text: "hello" }, null);
    render.markWaiting(node, true);
    assert.ok(node.classList.contains("smp-msg--waiting"));
    assert.equal(node.querySelector(".smp-msg-note").textContent, "Waiting to send…");
    render.markWaiting(node, false);
    assert.equal(node.querySelector(".smp-msg-note"), null);
    assert.equal(node.querySelector(".smp-bubble").textContent, "hello");
  });

  test("suggested replies are buttons that report the chosen one", () => {
    const chosen = [];
    const group = render.repliesNode(
      [
        { title: "Prices", payload: "/ask_price" },
        { title: "<i>Book</i>", payload: "/book" },
      ],
      { disabled: false, onChoose: (button) => chosen.push(button.payload) },
    );
    assert.equal(group.getAttribute("role"), "group");
    assert.equal(group.getAttribute("aria-label"), "Suggested replies");
    const buttons = group.querySelectorAll("button");
    assert.equal(buttons[1].textContent, "<i>Book</i>");
    buttons[1].click();
    assert.deepEqual(chosen, ["/book"]);
  });

  test("the no-reply notice offers a working Try again button", () => {
    let retried = 0;
    const notice = render.noReplyNode({ disabled: false, onRetry: () => (retried += 1) });
    assert.match(notice.textContent, /No reply arrived/);
    const button = notice.querySelector("button");
    assert.equal(button.textContent, "Try again");
    button.click();
    assert.equal(retried, 1);
  });

  test("initials of the clinic's name", () => {
    assert.equal(render.initials("Northgate Scalp Clinic"), "NS");
    assert.equal(render.initials("  "), "?");
  });
});
