"""The spreadsheet side of the customer import (customers.services.imports runs the job): columns (our fields
and the guessed mapping), reading (the uploaded file, once), checking (each row against the rules)."""
