// `npm start`: opens the desktop app, or says in one line why it cannot and what to run instead.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

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
const child = spawn(electronPath, ['.'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
child.on('error', (e) => {
  console.error(`Neurowire: could not start Electron (${e.message}) — run \`npm run serve\` to use the app in your browser.`);
  process.exit(1);
});
