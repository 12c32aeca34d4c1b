from django.conf import settings


def shell(request):
    return {"LANGUAGES_AVAILABLE": settings.LANGUAGES, "OPSCENTER_DEBUG": settings.DEBUG}
