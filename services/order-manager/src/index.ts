// The order manager is a service: it runs (main.ts) and exports nothing for other packages. Its pure
// core is the library @bourse/execution; its tables are read through @bourse/ledger (schema, row
// types, queries); its store writers are its own.
export {};
