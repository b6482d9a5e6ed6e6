// Copies the browser files the widget loads at run time out of node_modules
// into static/vendor/ (git-ignored). Runs after `npm ci` (postinstall) and as
// `npm run vendor`; the web server serves the folder under /widget/vendor/.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const webRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(webRoot, "node_modules", "socket.io-client");
const target = join(webRoot, "static", "vendor");
// The ES module build is self-contained and sets no globals, so it cannot
// clash with another copy of socket.io (or an AMD loader) on the host page.
const files = ["socket.io.esm.min.js", "socket.io.esm.min.js.map"];

const { version } = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
mkdirSync(target, { recursive: true });
for (const file of files) {
  copyFileSync(join(source, "dist", file), join(target, file));
}
console.log(`smp-chat: copied socket.io-client ${version} into static/vendor/`);
