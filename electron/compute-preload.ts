import { ipcRenderer } from 'electron';

/**
 * Preload of the hidden GPU compute window. It exposes no API at all: it only passes the one
 * MessagePort the main process sends on 'neurowire:compute-port' into the page (window.postMessage
 * with the port transferred, as Electron documents for context-isolated pages). Jobs, events,
 * results and commands all travel over that port.
 */
const PORT_CHANNEL = 'neurowire:compute-port';
const PORT_MESSAGE = 'neurowire-compute-port';

ipcRenderer.on(PORT_CHANNEL, (event) => {
  const [port] = event.ports;
  if (port) window.postMessage(PORT_MESSAGE, '*', [port]);
});
