// Builds ../static from the installed npm packages: what the console's pages load.
//   console.css   Tailwind + DaisyUI, only the classes the templates use
//   signin.js     the Firebase JS SDK's sign-in, bundled
//   console.js    the console's own script
//   dashboard.js  the dashboard's charts, with Chart.js bundled
//   vendor/       htmx, Chart.js, and axe-core (for the browser tests), as published
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "static");
const vendor = {
  "htmx.min.js": "htmx.org/dist/htmx.min.js",
  "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
  "axe.min.js": "axe-core/axe.min.js",
};

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "vendor"), { recursive: true });
for (const [name, from] of Object.entries(vendor)) {
  copyFileSync(join(here, "node_modules", from), join(out, "vendor", name));
}
copyFileSync(join(here, "src", "console.js"), join(out, "console.js"));
for (const name of ["signin.js", "dashboard.js"]) {
  await build({
    entryPoints: [join(here, "src", name)],
    outfile: join(out, name),
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2020",
    logLevel: "warning",
  });
}
execFileSync(
  join(here, "node_modules", ".bin", "tailwindcss"),
  ["--input", join(here, "src", "console.css"), "--output", join(out, "console.css"), "--minify"],
  { stdio: ["ignore", "ignore", "inherit"] },
);
