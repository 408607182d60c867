import { globalPooling } from './globalpooling';

export const GlobalMaxPooling1D = globalPooling('Max', 1);
