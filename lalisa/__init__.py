"""LA-LISA: Layanan Aduan onLine whatSApp."""
