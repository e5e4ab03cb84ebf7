"""The ledger's corner of the API: vouchers, maker–checker and the trial balance."""
