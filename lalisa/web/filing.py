"""An admin files a complaint for someone who came to the office, phoned, or wrote on social
media (DESIGN.md): the source is kept, and a WhatsApp number given means they are told too."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render

from lalisa import access
from lalisa.accounts.models import Role
from lalisa.complaints import workflow
from lalisa.complaints.errors import StepRefused
from lalisa.complaints.lookup_check import lookup_url
from lalisa.complaints.models import (
    Category,
    Complaint,
    Confidentiality,
    Priority,
    Reporter,
    Source,
)
from lalisa.phones import InvalidPhone, normalize_phone, wa_id_of
from lalisa.regions.models import Desa, Kecamatan

SOURCES = [(s.value, s.label) for s in Source if s != Source.WHATSAPP]


class FilingForm(forms.Form):
    source = forms.ChoiceField(label="Sumber", choices=SOURCES)
    name = forms.CharField(label="Nama pelapor", max_length=200, required=False)
    whatsapp = forms.CharField(
        label="Nomor WhatsApp pelapor",
        max_length=30,
        required=False,
        help_text="Bila diisi, pelapor menerima kabar setiap langkah lewat WhatsApp.",
    )
    category = forms.ModelChoiceField(
        label="Kategori", queryset=Category.objects.filter(active=True), empty_label=None
    )
    description = forms.CharField(label="Uraian", widget=forms.Textarea(attrs={"rows": 4}))
    kecamatan = forms.ModelChoiceField(label="Kecamatan", queryset=Kecamatan.objects.all())
    desa = forms.ModelChoiceField(
        label="Desa/kelurahan", queryset=Desa.objects.select_related("kecamatan"), required=False
    )
    address = forms.CharField(label="Tempat", max_length=300, required=False)
    lat = forms.DecimalField(label="Lintang", max_digits=9, decimal_places=6, required=False)
    lng = forms.DecimalField(label="Bujur", max_digits=9, decimal_places=6, required=False)
    priority = forms.ChoiceField(
        label="Prioritas",
        choices=[("", "sesuai kategori"), *Priority.choices],
        required=False,
    )
    confidentiality = forms.ChoiceField(
        label="Kerahasiaan", choices=Confidentiality.choices, initial=Confidentiality.BIASA
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Grouped under their kecamatan; the page shows the chosen kecamatan's group only.
        kecamatans = Kecamatan.objects.order_by("name").prefetch_related("desa")
        self.fields["desa"].choices = [
            ("", "(tidak diketahui)"),
            *[(k.name, [(d.pk, d.name) for d in k.desa.all()]) for k in kecamatans],
        ]
        self.fields["desa"].widget.attrs["data-within"] = "id_kecamatan"

    def clean_whatsapp(self):
        raw = self.cleaned_data["whatsapp"].strip()
        if not raw:
            return None
        try:
            return normalize_phone(raw)
        except InvalidPhone as exc:
            raise forms.ValidationError(
                "Nomor WhatsApp tidak dikenali, contoh 0812 3456 7890."
            ) from exc

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lng") is None):
            raise forms.ValidationError(
                "Isi lintang dan bujur bersama-sama, atau kosongkan keduanya."
            )
        desa, kecamatan = data.get("desa"), data.get("kecamatan")
        if desa and kecamatan and desa.kecamatan_id != kecamatan.pk:
            self.add_error("desa", "Desa ini tidak berada di kecamatan yang dipilih.")
        return data


def _reporter(name: str, phone: str | None) -> Reporter | None:
    """The person by their number (one record per number), else a record with the name."""
    if phone:
        found = (
            Reporter.objects.filter(phone=phone).first()
            or Reporter.objects.filter(wa_id=wa_id_of(phone)).first()
        )
        if found:
            if name and not found.name:
                found.name = name
                found.save(update_fields=["name"])
            return found
        return Reporter.objects.create(phone=phone, name=name)
    return Reporter.objects.create(name=name) if name else None


def filed_message(complaint: Complaint) -> str:
    """What the admin tells the reporter in front of them: the code and, unless the
    complaint is rahasia (nowhere in public), the check part the public lookup asks for."""
    if complaint.confidentiality == Confidentiality.RAHASIA:
        return (
            f"Aduan {complaint.code} tercatat. Sampaikan nomor tiket {complaint.code} kepada "
            "pelapor: aduan rahasia tidak tampil di halaman publik, statusnya ditanyakan "
            "dengan nomor itu lewat WhatsApp atau kepada petugas."
        )
    return (
        f"Aduan {complaint.code} tercatat. Sampaikan kepada pelapor: nomor tiket "
        f"{complaint.code}, kode cek {complaint.lookup_check}. Dengan keduanya status aduan "
        f"dapat dilihat di {lookup_url()}."
    )


@login_required
def file_for_someone(request):
    user = request.user
    if access.role_of(user) != Role.ADMIN:
        return render(
            request,
            "web/forbidden.html",
            {"message": "Hanya admin yang mencatat aduan untuk warga."},
            status=403,
        )
    form = FilingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    complaint = workflow.file_complaint(
                        actor=user,
                        source=data["source"],
                        reporter=_reporter(data["name"].strip(), data["whatsapp"]),
                        category=data["category"],
                        description=data["description"],
                        kecamatan=data["kecamatan"],
                        desa=data["desa"],
                        address=data["address"],
                        lat=data["lat"],
                        lng=data["lng"],
                        priority=data["priority"] or None,
                        confidentiality=data["confidentiality"],
                    )
            except StepRefused as exc:
                form.add_error(None, str(exc))
                status = exc.http_status
            else:
                messages.success(request, filed_message(complaint))
                return redirect("web:complaint", code=complaint.code)
        else:
            status = 400
    return render(request, "web/file.html", {"form": form}, status=status)
