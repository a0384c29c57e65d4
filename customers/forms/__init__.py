"""The customers app's forms, one module per concept: customers (customers and vehicles), imports."""
