global using SmartStore.Domain.Floor;
global using SmartStore.Domain.Visits;
