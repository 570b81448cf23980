from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessLogEntry, ApiToken, Organisation, User
from accounts.two_factor import two_factor_reset


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    filter_horizontal = ("shares_with",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "get_full_name", "role", "organisation", "is_active")
    list_filter = ("role", "organisation", "is_active")
    fieldsets = DjangoUserAdmin.fieldsets + (("Vale CCTV", {"fields": ("role", "organisation")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("Vale CCTV", {"fields": ("role", "organisation")}),)
    actions = ["reset_two_factor"]

    @admin.action(description="Reset two-factor sign-in (lost phone): remove devices, end sessions")
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            two_factor_reset(user=user, by=request.user, reason="reset from the admin site",
                             ip_address=request.META.get("REMOTE_ADDR"))
        self.message_user(request, f"Two-factor sign-in reset for {queryset.count()} user(s); each sets it up "
                                   "again at their next sign-in.")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "secret_hash", "created_at", "last_used_at")


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "event", "object_label", "object_ref", "ip_address")
    list_filter = ("event",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# django-otp's own device admin shows each authenticator's secret and QR code: an administrator
# could copy anyone's second factor. Devices are managed only through the reset action above.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)
