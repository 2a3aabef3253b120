from healthscore import permissions


def roles(request):
    """Role flags for the navigation."""
    user = request.user
    return {
        "is_tam": permissions.is_tam(user),
        "is_manager": permissions.is_manager(user),
        "is_admin_role": permissions.is_admin(user),
    }
