"""The customers app's pages, one module per concept: customers (customers and vehicles), imports."""
