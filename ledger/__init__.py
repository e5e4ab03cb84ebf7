"""The books of every SHG, VO and CLF: double-entry vouchers in integer paise, maker–checker
approval, reversals, and balances kept as vouchers are posted."""
