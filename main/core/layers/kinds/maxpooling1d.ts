import { pooling } from './pooling';

export const MaxPooling1D = pooling('Max', 1);
