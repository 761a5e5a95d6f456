from django.urls import path

from . import views

app_name = "shop"

# slugs: SKUs and order numbers are letters, digits and "-"; anything else (a NUL byte, which
# PostgreSQL refuses in a query) is a 404 before any lookup
urlpatterns = [
    path("", views.products, name="products"),
    path("cart/", views.cart_page, name="cart"),
    path("cart/add/<slug:sku>/", views.add_to_cart, name="add"),
    path("checkout/", views.checkout, name="checkout"),
    path("order/<slug:number>/complete/", views.complete, name="complete"),
]
