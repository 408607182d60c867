// `npm start`: opens the desktop app, or says in one line why it cannot and what to run instead.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
let electronPath;
try {
  electronPath = require('electron');
} catch {
  electronPath = null;
}
if (typeof electronPath !== 'string') {
  console.error(
    "Neurowire: Electron's binary is not installed on this machine (its download did not happen or failed) — run `npm run serve` to use the same app in your browser.",
  );
  process.exit(1);
}
// `npm start -- my.neurowire`: npm runs this in the package folder, so a file named relative to where npm was
// started (INIT_CWD) is passed on as an absolute path.
const started = process.env.INIT_CWD ?? process.cwd();
const files = process.argv.slice(2).map((a) => (a.startsWith('-') ? a : path.resolve(started, a)));
const child = spawn(electronPath, ['.', ...files], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
child.on('error', (e) => {
  console.error(`Neurowire: could not start Electron (${e.message}) — run \`npm run serve\` to use the app in your browser.`);
  process.exit(1);
});
