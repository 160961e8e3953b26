from django.http import HttpResponse


def directory(request):
    return HttpResponse("")


profile = apply = workspace = organization_edit = members = invitation_accept = directory
