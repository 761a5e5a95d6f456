from django.urls import path

from . import views

app_name = "shop"

urlpatterns = [
    path("", views.products, name="products"),
    path("cart/", views.cart_page, name="cart"),
    path("cart/add/<str:sku>/", views.add_to_cart, name="add"),
    path("checkout/", views.checkout, name="checkout"),
    path("order/<str:number>/complete/", views.complete, name="complete"),
]
