import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { createEngineClient } from './api/client';
import { withBrowserCompute } from './compute/choice';
import { attachAutosave, createAppStore } from './store/appStore';
import { AppStoreProvider } from './store/context';
import { App } from './App';
import { answerOtherPages } from './store/otherPages';
import { AnalysisProvider } from './analysis/context';

// Train / Stop honour the Compute choice (Node, or this browser's GPU): see compute/choice.ts.
const client = withBrowserCompute(createEngineClient());
const store = createAppStore(client);
attachAutosave(store, 1000);
// A project double-clicked, named on a second launch or picked in Open Recent while the app runs.
client.on('openRequested', () => void store.getState().actions.takeOpenRequests());
// Once started, this page tells pages opened later that it is editing (see store/otherPages.ts).
void store.getState().actions.init().then(() => answerOtherPages());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppStoreProvider store={store}>
      <AnalysisProvider>
        <App />
      </AnalysisProvider>
    </AppStoreProvider>
  </StrictMode>,
);
