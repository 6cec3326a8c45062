"""Reports: report documents compiled to one SQL aggregate under the viewer's scope, run into a Dataset."""
