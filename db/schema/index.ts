export * from './reference';
export * from './petitions';
