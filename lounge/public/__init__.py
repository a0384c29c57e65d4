"""The customer's pages behind a table's QR code (no sign-in): lounge.public.urls, mounted at q/."""
