from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from org.access import Right, require


@login_required
def import_start(request):
    require(request.user, Right.IMPORT)
    return render(request, "customers/import_start.html", {})
