"""Drawing: interactive (folium) and static (matplotlib) maps from the same styles and view."""
