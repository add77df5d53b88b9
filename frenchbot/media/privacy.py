"""The media library holds no visitor's, learner's or client's data: only who of the team added an image."""

from frenchbot.privacy.registry import not_personal

not_personal(
    "media.Image.uploaded_by",
    "the staff member who added the image in the admin; Django sets it to nothing (SET_NULL) when their account "
    "is deleted",
)
