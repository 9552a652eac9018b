// The errors of the order manager's tables are the ledger's (its reads raise CORRUPT_ROW, these
// writers every other code): one class, so `isOrderStoreError` answers for both.

export { OrderStoreError, OrderStoreErrorCode, isOrderStoreError } from '@bourse/ledger';
