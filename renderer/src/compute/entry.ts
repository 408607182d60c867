/**
 * The desktop app's hidden compute window (renderer/compute.html, created by electron/computeWindow.ts).
 * Its preload (electron/compute-preload.ts) hands this page one MessagePort from the main process and
 * nothing else. Over it: 'probe' → { kind: 'gpu', info }, 'job' → events, heartbeats and one 'result'
 * (weights as a transferred ArrayBuffer), 'command' → stop / pause / resume of the running job.
 */
import { CommandControl, type ComputeHostMessage, type ComputePageMessage } from '../../../main/core/api/compute';
import { probeBrowserGpu } from './gpu';
import { runComputeJob } from './runner';

const HEARTBEAT_MS = 5000;
const PORT_MESSAGE = 'neurowire-compute-port';

const controls = new Map<string, CommandControl>();

function serve(port: MessagePort): void {
  const post = (msg: ComputePageMessage, transfer: Transferable[] = []) => port.postMessage(msg, transfer);
  port.onmessage = (ev: MessageEvent<ComputeHostMessage>) => {
    const msg = ev.data;
    if (!msg || typeof msg !== 'object') return;
    if (msg.kind === 'probe') {
      void probeBrowserGpu().then((info) => post({ kind: 'gpu', info }));
    } else if (msg.kind === 'command') {
      controls.get(msg.runId)?.apply(msg.command);
    } else if (msg.kind === 'job') {
      const { job } = msg;
      const control = new CommandControl();
      controls.set(job.runId, control);
      const heartbeat = setInterval(() => post({ kind: 'heartbeat', runId: job.runId }), HEARTBEAT_MS);
      void runComputeJob(job, {
        control,
        emit: (event) => {
          if (event.type !== 'done') post({ kind: 'event', runId: job.runId, event });
        },
      })
        .then(({ result, weightData }) => post({ kind: 'result', runId: job.runId, result, weightData }, weightData ? [weightData] : []))
        .finally(() => {
          clearInterval(heartbeat);
          controls.delete(job.runId);
        });
    }
  };
  port.start();
}

// The preload forwards the port with window.postMessage (the documented way across context isolation).
window.addEventListener('message', (ev: MessageEvent) => {
  if (ev.source === window && ev.data === PORT_MESSAGE && ev.ports[0]) serve(ev.ports[0]);
});
