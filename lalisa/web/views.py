from django.http import HttpResponse


def home(request):
    return HttpResponse("LA-LISA")


def complaint_detail(request, code):
    return HttpResponse(code)
