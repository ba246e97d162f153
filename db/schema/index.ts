export * from './reference';
export * from './petitions';
export * from './public';
export * from './campaign';
export * from './measures';
export * from './reconciliation';
