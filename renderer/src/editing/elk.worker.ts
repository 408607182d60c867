// ELK's own worker script: it answers the layout requests elk-api posts to it (see layout.ts).
import 'elkjs/lib/elk-worker.min.js';
