"""REST connector worker for Camunda 8 / Zeebe (job type ``io.camunda:http-json:1``)."""
