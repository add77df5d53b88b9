"""The media library in the admin (list with thumbnails, an add form that checks the file and asks for the alt
text) and the editor's upload endpoint, `admin:media_image_upload`, which answers JSON in French."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.core.storage import StorageUnavailable

from . import services
from .models import Image
from .selectors import image_thumbnail_url


class ImageAddForm(forms.ModelForm):
    """Adding to the library: the file is checked here (errors next to it, what was typed kept), stored by the
    admin's save through the same service as the editor's uploads."""

    upload = forms.FileField(
        label=gettext_lazy("fichier"),
        help_text=gettext_lazy(
            "JPEG, PNG, WebP, GIF (première image) ou AVIF. Les métadonnées (GPS…) sont retirées."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,image/avif"}
        ),
    )

    class Meta:
        model = Image
        fields = ["alt", "title", "credit"]

    def clean(self):
        cleaned = super().clean()
        upload, alt = cleaned.get("upload"), cleaned.get("alt")
        self.checked = None
        if upload and alt:
            try:
                self.checked = services.image_check(file=upload, alt=alt)
            except services.ImageRefused as error:
                self.add_error(error.field if error.field in {"alt"} else "upload", error.message)
        return cleaned


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "alt",
        "weight",
        "dimensions",
        "original_format",
        "uploaded_by",
        "created_at",
    ]
    list_display_links = ["thumbnail", "alt"]
    list_filter = ["original_format", "created_at"]
    search_fields = ["alt", "title", "credit"]
    date_hierarchy = "created_at"
    list_select_related = ["uploaded_by"]

    class Media:
        css = {"all": ["media/admin/uploader.css"]}

    readonly_fields = [
        "preview",
        "weight",
        "dimensions",
        "original_format",
        "uploaded_by",
        "created_at",
        "url",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ImageAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["upload", "alt", "title", "credit"]})]
        return [
            (None, {"fields": ["preview", "alt", "title", "credit"]}),
            (
                _("Fichier"),
                {"fields": ["url", "dimensions", "weight", "original_format", "uploaded_by", "created_at"]},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.image_upload(
            file=form.cleaned_data["upload"],
            alt=obj.alt,
            title=obj.title,
            credit=obj.credit,
            user=request.user,
            checked=getattr(form, "checked", None),
        )
        # The admin goes on with the object it passed (its log entry, its redirection): make it the new image.
        obj.__dict__.update(created.__dict__)

    @admin.display(description=gettext_lazy("image"))
    def thumbnail(self, obj):
        return format_html(
            '<img src="{}" alt="" width="96" height="{}" loading="lazy" class="media-thumbnail">',
            image_thumbnail_url(obj),
            round(96 * obj.height / obj.width) if obj.width else 96,
        )

    @admin.display(description=gettext_lazy("aperçu"))
    def preview(self, obj):
        return format_html(
            '<img src="{}" alt="{}" width="320" class="media-thumbnail">', image_thumbnail_url(obj), obj.alt
        )

    @admin.display(description=gettext_lazy("poids"), ordering="size_bytes")
    def weight(self, obj):
        return filesizeformat(obj.size_bytes)

    @admin.display(description=gettext_lazy("dimensions"))
    def dimensions(self, obj):
        return f"{obj.width}\u00a0×\u00a0{obj.height}\u00a0px"

    @admin.display(description=gettext_lazy("adresse"))
    def url(self, obj):
        address = obj.file.url if obj.file else ""
        return format_html("<code>{}</code><br><code>![{}]({})</code>", address, obj.alt, address)

    # --- The editor's upload endpoint ------------------------------------------------------------------

    def get_urls(self):
        upload = path("upload/", self.upload_view_wrapped(), name="media_image_upload")
        return [upload, *super().get_urls()]

    def upload_view_wrapped(self):
        # Not admin_view: a fetch() from the editor must get JSON (403), not the login page's HTML.
        return never_cache(csrf_protect(self.upload_view))

    def upload_view(self, request):
        """POST multipart `file` + `alt` → 201 {"id", "url", "markdown", "width", "height"}; 4xx/503 with
        {"detail", "field", "code"} in French otherwise."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return _json_error(
                _("Votre session a expiré : reconnectez-vous à l'administration, puis recommencez."),
                status=403,
                code="forbidden",
            )
        if not self.has_add_permission(request):
            return _json_error(
                _("Votre compte n'a pas le droit d'ajouter des images à la médiathèque."),
                status=403,
                code="forbidden",
            )
        if request.method != "POST":
            return _json_error(_("Envoyez l'image avec une requête POST."), status=405, code="invalid")
        if rate_limit_hit(
            scope="media-upload",
            key=str(user.pk),
            limit=settings.MEDIA_UPLOAD_RATE_LIMIT,
            window_seconds=3600,
        ):
            return _json_error(
                _("Trop d'images envoyées en une heure : réessayez un peu plus tard."),
                status=429,
                code="rate_limited",
            )
        try:
            image = services.image_upload(
                file=request.FILES.get("file"),
                alt=request.POST.get("alt", ""),
                title=request.POST.get("title", ""),
                user=user,
            )
        except services.ImageRefused as error:
            return JsonResponse(error.as_json(), status=400)
        except StorageUnavailable:
            return _json_error(
                _("Le stockage des images ne répond pas pour le moment. Réessayez dans quelques minutes."),
                status=503,
                code="unavailable",
            )
        url = image.file.url
        # Brackets in the alt text would end the Markdown's [alt] early.
        markdown_alt = image.alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        return JsonResponse(
            {
                "id": image.pk,
                "url": url,
                "markdown": f"![{markdown_alt}]({url})",
                "alt": image.alt,
                "width": image.width,
                "height": image.height,
            },
            status=201,
        )


def _json_error(message: str, *, status: int, code: str, field=None) -> JsonResponse:
    return JsonResponse({"detail": message, "field": field, "code": code}, status=status)
