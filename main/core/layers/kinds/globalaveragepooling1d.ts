import { globalPooling } from './globalpooling';

export const GlobalAveragePooling1D = globalPooling('Average', 1);
