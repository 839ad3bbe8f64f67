"""Admin pages and inlines that only show: rows written by the service or shipped as data."""


class ReadOnly:
    """Mix into a ModelAdmin or an inline: no adding, changing or deleting by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
