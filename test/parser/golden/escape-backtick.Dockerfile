# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command"]
RUN New-Item -Path C:\app `
    -ItemType Directory
ENV DIR=C:\Program` Files\x
WORKDIR C:\app
