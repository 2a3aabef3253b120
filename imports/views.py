"""The admin's Import page: upload a Salesforce or Zendesk CSV and follow its import."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from healthscore import permissions
from imports import services
from imports.forms import CsvUploadForm
from imports.models import ImportRun

RECENT_RUNS = 10


def _require_admin(user) -> None:
    if not permissions.is_admin(user):
        raise PermissionDenied("Imports are for admins.")


@login_required
def import_page(request):
    _require_admin(request.user)
    form, status = CsvUploadForm(), 200
    if request.method == "POST":
        form = CsvUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            run = services.import_run_create(
                data=upload.read(), filename=upload.name, source=form.cleaned_data["source"], by=request.user
            )
            return redirect("import_run", pk=run.pk)
        status = 422
    runs = ImportRun.objects.defer("content")[:RECENT_RUNS]
    return render(request, "imports/import.html", {"form": form, "runs": runs}, status=status)


@login_required
def import_run(request, pk: int):
    _require_admin(request.user)
    run = get_object_or_404(ImportRun.objects.defer("content"), pk=pk)
    return render(request, "imports/run.html", {"run": run})


@login_required
def import_run_status(request, pk: int):
    """What the run page polls to move its progress bar."""
    _require_admin(request.user)
    run = get_object_or_404(ImportRun.objects.defer("content"), pk=pk)
    return JsonResponse(
        {"status": run.status, "label": run.get_status_display(), "percent": run.percent, "finished": run.finished}
    )
