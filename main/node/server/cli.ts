import path from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Engine } from '../engine';
import { projectFileArgument } from '../projectFiles';
import { startServer } from './server';

/** `npm run serve`: the whole app in a browser, engine in this Node process. */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { port: { type: 'string', default: process.env.NEUROWIRE_PORT ?? '0' }, host: { type: 'string', default: '127.0.0.1' } },
    // `npm run serve -- my.neurowire`: the page opens that project once it has started.
    allowPositionals: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not "${values.port}".`);
  const candidates = [path.resolve(__dirname, '../../../dist/renderer'), path.resolve(__dirname, '../../renderer')];
  const staticDir = candidates.find((c) => existsSync(path.join(c, 'index.html')));
  if (!staticDir) throw new Error('The UI is not built. Run `npm run build:renderer` first (npm run serve does this for you).');
  const engine = new Engine({ host: 'browser' });
  // npm runs this in the package folder; a relative path means one relative to where npm was started.
  const file = projectFileArgument(['serve', ...positionals], process.env.INIT_CWD ?? process.cwd());
  if (file) engine.requestOpen(file);
  if (!['127.0.0.1', 'localhost', '::1'].includes(values.host)) {
    console.warn(
      `Warning: listening on ${values.host} makes Neurowire reachable from other machines on your network. Anyone with the address and its token can read and write files as you; share it only on a network you trust.`,
    );
  }
  const server = await startServer({ engine, staticDir, port, host: values.host });
  const info = await engine.info();
  console.log(`Neurowire is running. Open this address in your browser (the token in it is required):`);
  console.log(`  ${server.url}`);
  console.log(`Training backend: ${info.backend.name} — ${info.backend.device}. Projects: ${engine.projectsDir}`);
  const shutdown = async () => {
    await engine.dispose();
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((e) => {
  console.error(`neurowire serve: ${(e as Error).message}`);
  process.exit(1);
});
