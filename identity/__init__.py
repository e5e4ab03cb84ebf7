"""Identity: check digits and digital member IDs today; Aadhaar and bank tokens,
signed ID cards and consent as the identity issue lands."""
