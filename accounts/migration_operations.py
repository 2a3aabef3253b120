"""A RunPython helper for models that move between apps: their content type follows them, so
admin history and any permission granted on the model stay attached."""


def content_type_mover(*, model: str, old_app: str, new_app: str):
    def move(apps, schema_editor, *, source=old_app, target=new_app):
        ContentType = apps.get_model("contenttypes", "ContentType")
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)

    def back(apps, schema_editor):
        move(apps, schema_editor, source=new_app, target=old_app)

    return move, back
