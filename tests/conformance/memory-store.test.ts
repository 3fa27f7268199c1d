import { MemoryRunStore } from '../../runtime/store/memory-store.js';
import { describeRunStore } from './run-store.spec.js';

describeRunStore('MemoryRunStore', () => new MemoryRunStore());
