"""Pure domain: no SQL, no web. Money, quantities, dates, products, lots, FEFO, errors."""
