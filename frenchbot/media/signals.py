"""An Image deleted by any road (the admin's list action, a queryset, a service) takes its files with it."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Image


@receiver(post_delete, sender=Image)
def _image_files_go_too(sender, instance: Image, **kwargs) -> None:
    from .services import image_files_delete, image_stored_names

    image_files_delete(names=image_stored_names(instance))
