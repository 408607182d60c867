import { pooling } from './pooling';

export const MaxPooling2D = pooling('Max', 2);
